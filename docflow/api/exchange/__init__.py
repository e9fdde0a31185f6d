"""The exchange's HTTP adapter: DRF views, serializers, the envelope's validation and the
API-key authentication. The exchange's domain (keys, inbound and outbound services, edXML,
signing, statuses) stays in ``docflow.exchange``; nothing there imports this package."""
