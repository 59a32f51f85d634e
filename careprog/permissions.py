"""careprog's own permission names, so the admin and the roles (careprog/roles.py) name each
the same way. Imports no model: migrations use it."""

# Changing the council's accessibility statement and privacy notice in Django admin.
CHANGE_PUBLIC_INFORMATION = "careprog.change_publicinformation"
ADD_PUBLIC_INFORMATION = "careprog.add_publicinformation"
VIEW_PUBLIC_INFORMATION = "careprog.view_publicinformation"
