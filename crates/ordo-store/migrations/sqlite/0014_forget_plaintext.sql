-- Mail that was sent or given up keeps its status and times only: its
-- recipient and subject go too, as its content already did.
UPDATE mail_outbox SET recipient = '', subject = '', body_text = '', body_html = '', attachments = ''
WHERE status IN ('sent', 'failed');

-- Personal API tokens' names are protected values like meeting titles:
-- existing ones are marked as stored plain, and sealed by the re-sealing
-- job of tenants that encrypt.
UPDATE api_tokens SET name = 'p:' || name;
UPDATE tenants SET reseal_pending = 1 WHERE encryption = 'on'
  AND EXISTS (SELECT 1 FROM api_tokens t WHERE t.tenant_id = tenants.id);
