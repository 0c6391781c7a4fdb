"""GitOps: which plans a change touches, the GitHub REST client and the pull-request comment.

    changed.select_plans(ref, paths)   plans added/changed since the merge base with ``ref``
    github.GitHubClient                the few GitHub REST calls the workflows need (httpx)
    comment.*                          the sticky pull-request comment and the outcome comment
"""
