from django.conf import settings


def service(request):
    """Service name and phase for the base template's header and banner."""
    return {"service_name": settings.SERVICE_NAME, "service_phase": settings.SERVICE_PHASE}
