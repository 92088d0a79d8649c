-- The API's write transaction for POST /payments (src/Api/Payments/CreatePayment.cs, IdempotencyClaim.cs), run by pgbench -M prepared.
-- Same statements, rows and round trips as the API sends through Npgsql/EF Core:
--   1. BEGIN + advisory lock on (user, key) + idempotency lookup (the API: BEGIN piggybacked on one NpgsqlBatch)
--   2. INSERT payment + INSERT outbox row (RETURNING sequence_number) + INSERT idempotency row (the API: one SaveChanges batch;
--      here one statement with data-modifying CTEs, because pgbench cannot carry values out of a pipeline with \gset)
--   3. COMMIT
-- The user is one of 64 (as in LoadGen) and the key a random uuid built from two random 64-bit numbers, so that the lookup
-- and the insert use the same key; the payment, message and conversation ids come from gen_random_uuid().
-- Row contents (outbox body with the MassTransit envelope, stored 201 body, 32-byte request hash) match what the API writes.
\set user random(1, 64)
\set k1 random(1, 9223372036854775806)
\set k2 random(1, 9223372036854775806)
\set amount random(100, 99999)
\startpipeline
BEGIN;
SELECT pg_try_advisory_xact_lock(hashtextextended(('00000000-0000-4000-8000-' || lpad(to_hex(:user::bigint), 12, '0'))::uuid::text || '/'
       || (lpad(to_hex(:k1::bigint), 16, '0') || lpad(to_hex(:k2::bigint), 16, '0'))::uuid::text, 0));
SELECT request_hash, response_status, response_body, response_location, payment_id, created_at FROM idempotency_keys
 WHERE user_id = ('00000000-0000-4000-8000-' || lpad(to_hex(:user::bigint), 12, '0'))::uuid
   AND key = (lpad(to_hex(:k1::bigint), 16, '0') || lpad(to_hex(:k2::bigint), 16, '0'))::uuid::text;
\endpipeline
WITH ids AS (
  SELECT gen_random_uuid() AS pid, gen_random_uuid() AS mid, gen_random_uuid() AS conv, now() AS ts,
         ('00000000-0000-4000-8000-' || lpad(to_hex(:user::bigint), 12, '0'))::uuid AS uid,
         (lpad(to_hex(:k1::bigint), 16, '0') || lpad(to_hex(:k2::bigint), 16, '0'))::uuid::text AS k, :amount::bigint AS amount
), p AS (
  INSERT INTO payments (id, user_id, amount, currency, description, metadata, status, failure_reason, charge_id, created_at, updated_at, completed_at)
  SELECT pid, uid, amount, 'USD', 'bench order', NULL, 'PENDING', NULL, NULL, ts, ts, NULL FROM ids
), o AS (
  INSERT INTO outbox_messages (message_id, enqueue_time, sent_time, content_type, message_type, body, headers, properties, inbox_message_id,
                               inbox_consumer_id, conversation_id, correlation_id, initiator_id, request_id, source_address, destination_address,
                               response_address, fault_address, expiration_time)
  SELECT mid, NULL, ts, 'application/vnd.masstransit+json', E'urn\x3amessage\x3aPayments.Contracts\x3aPaymentRequested',
         E'{"messageId"\x3a"' || mid || E'","requestId"\x3anull,"correlationId"\x3a"' || pid || E'","conversationId"\x3a"' || conv || E'","initiatorId"\x3anull,'
         || E'"sourceAddress"\x3a"loopback\x3a//localhost/vm_PaymentsApi_bus_d37oyyd8fkjmcoe4bdxwsgnjda","destinationAddress"\x3a"loopback\x3a//localhost/urn\x3amessage\x3aPayments.Contracts\x3aPaymentRequested",'
         || E'"responseAddress"\x3anull,"faultAddress"\x3anull,"messageType"\x3a["urn\x3amessage\x3aPayments.Contracts\x3aPaymentRequested"],"message"\x3a{"paymentId"\x3a"' || pid
         || E'","userId"\x3a"' || uid || E'","amount"\x3a' || amount || E',"currency"\x3a"USD","description"\x3a"bench order","requestedAt"\x3a"' || ts || '"},'
         || E'"expirationTime"\x3anull,"sentTime"\x3a"' || ts || E'","headers"\x3a{},"host"\x3a{"machineName"\x3a"vm","processName"\x3a"Payments.Api","processId"\x3a31518,'
         || E'"assembly"\x3a"Payments.Api","assemblyVersion"\x3a"1.0.0.0","frameworkVersion"\x3a"10.0.12","massTransitVersion"\x3a"8.5.12.0","operatingSystemVersion"\x3a"Unix 6.18.44.669"}}',
         NULL, NULL, NULL, NULL, conv, pid, NULL, NULL, E'loopback\x3a//localhost/vm_PaymentsApi_bus_d37oyyd8fkjmcoe4bdxwsgnjda',
         E'loopback\x3a//localhost/urn\x3amessage\x3aPayments.Contracts\x3aPaymentRequested', NULL, NULL, NULL FROM ids
  RETURNING sequence_number
)
INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body, response_location, payment_id, created_at)
SELECT uid, k, sha256(convert_to(k, 'UTF8')), 201,
       E'{"id"\x3a"' || pid || E'","user_id"\x3a"' || uid || E'","amount"\x3a' || amount || E',"currency"\x3a"USD","status"\x3a"PENDING","description"\x3a"bench order",'
       || E'"metadata"\x3anull,"failure_reason"\x3anull,"created_at"\x3a"' || ts || E'","updated_at"\x3a"' || ts || E'","completed_at"\x3anull}',
       '/payments/' || pid, pid, ts FROM ids;
COMMIT;
