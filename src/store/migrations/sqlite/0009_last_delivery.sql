-- The newest delivery of an installation (`/sprint doctor` asks whether
-- webhooks still arrive) without walking every delivery ever received.
CREATE INDEX deliveries_installation_received ON deliveries (installation, received_ms);
