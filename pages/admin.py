"""Admin: the people who may sign in and their roles (admins only)."""

from sop.ui import admin, router

router.through_router()

admin.page()
