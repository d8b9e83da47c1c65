"""The PTL's tools built on everything else: the week's review priorities page, the priority
email, focus rules and the end-of-cycle report. Imports health, reviews, governance, gerrit."""
