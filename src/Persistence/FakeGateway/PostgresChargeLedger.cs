using Npgsql;
using Payments.Processing.Gateway;

namespace Payments.Persistence.FakeGateway;

/// <summary>
/// The fake gateway's ledger in a Postgres database of its own, one row per idempotency key: it survives
/// worker crashes, so a test that kills workers can still prove that no key was ever charged or refunded twice. Refunds have a
/// table of their own, one row per refund key.
/// </summary>
public sealed class PostgresChargeLedger(string connectionString) : IChargeLedger
{
    const string Schema = """
        CREATE TABLE IF NOT EXISTS fake_gateway_ledger (
            idempotency_key text PRIMARY KEY,
            payment_id uuid NOT NULL,
            amount bigint NOT NULL,
            currency text NOT NULL,
            approved boolean NOT NULL,
            charge_id text,
            decline_reason text,
            requests integer NOT NULL,
            at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS fake_gateway_refunds (
            idempotency_key text PRIMARY KEY,
            refund_id uuid NOT NULL,
            charge_key text NOT NULL,
            amount bigint NOT NULL,
            currency text NOT NULL,
            approved boolean NOT NULL,
            refund_id_at_gateway text,
            decline_reason text,
            requests integer NOT NULL,
            at timestamptz NOT NULL)
        """;

    // The table is created once, on first use, and every call awaits that one task. VSTHRD003/011 guard against a
    // deadlock on a synchronization context the task would need; a server has none.
#pragma warning disable VSTHRD003, VSTHRD011
    readonly Lazy<Task> _schema = new(() => Execute(connectionString, Schema));

    Task SchemaReady() => _schema.Value;
#pragma warning restore VSTHRD003, VSTHRD011

    public async Task<LedgerEntry> Record(GatewayCharge charge, Func<GatewayResult> decide, CancellationToken cancellationToken)
    {
        await SchemaReady();
        var decision = decide();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // The first decision for a key wins; later calls only count, and read back what was decided first.
        await using var command = new NpgsqlCommand("""
            INSERT INTO fake_gateway_ledger AS l (idempotency_key, payment_id, amount, currency, approved, charge_id, decline_reason, requests, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 1, now())
            ON CONFLICT (idempotency_key) DO UPDATE SET requests = l.requests + 1
            RETURNING payment_id, amount, currency, approved, charge_id, decline_reason, requests, at
            """, connection);
        command.Parameters.Add(new() { Value = charge.IdempotencyKey });
        command.Parameters.Add(new() { Value = charge.PaymentId });
        command.Parameters.Add(new() { Value = charge.Amount });
        command.Parameters.Add(new() { Value = charge.Currency });
        command.Parameters.Add(new() { Value = decision.Approved });
        command.Parameters.Add(new() { Value = (object?)decision.ChargeId ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)decision.DeclineReason ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(charge.IdempotencyKey, reader);
    }

    public async Task<LedgerEntry?> Find(string idempotencyKey, CancellationToken cancellationToken)
    {
        await SchemaReady();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT payment_id, amount, currency, approved, charge_id, decline_reason, requests, at
              FROM fake_gateway_ledger WHERE idempotency_key = $1
            """, connection);
        command.Parameters.Add(new() { Value = idempotencyKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(idempotencyKey, reader) : null;
    }

    public async Task<RefundLedgerEntry> RecordRefund(GatewayRefund refund, Func<LedgerEntry?, long, GatewayResult> decide,
        CancellationToken cancellationToken)
    {
        await SchemaReady();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Refunds of one charge are decided one at a time: the charge's row lock serialises them, so what remains of the
        // charge is read after the previous refund committed. No charge row, nothing to lock: such a refund is declined anyway.
        var charge = await ReadOne(connection, """
            SELECT payment_id, amount, currency, approved, charge_id, decline_reason, requests, at
              FROM fake_gateway_ledger WHERE idempotency_key = $1 FOR UPDATE
            """, refund.ChargeKey, r => Read(refund.ChargeKey, r), cancellationToken);
        var existing = await ReadOne(connection, """
            UPDATE fake_gateway_refunds SET requests = requests + 1 WHERE idempotency_key = $1
            RETURNING refund_id, charge_key, amount, currency, approved, refund_id_at_gateway, decline_reason, requests, at
            """, refund.IdempotencyKey, r => ReadRefund(refund.IdempotencyKey, r), cancellationToken);
        if (existing is not null)
        {
            await transaction.CommitAsync(cancellationToken);
            return existing;
        }

        var refunded = await ReadOne(connection, """
            SELECT coalesce(sum(amount), 0) FROM fake_gateway_refunds WHERE charge_key = $1 AND approved
            """, refund.ChargeKey, r => r.GetInt64(0), cancellationToken);
        var decision = decide(charge, refunded);
        // A racing first call for the same key (possible only when there is no charge row to lock) keeps its decision.
        await using var command = new NpgsqlCommand("""
            INSERT INTO fake_gateway_refunds AS l (idempotency_key, refund_id, charge_key, amount, currency, approved, refund_id_at_gateway,
                                                   decline_reason, requests, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, now())
            ON CONFLICT (idempotency_key) DO UPDATE SET requests = l.requests + 1
            RETURNING refund_id, charge_key, amount, currency, approved, refund_id_at_gateway, decline_reason, requests, at
            """, connection);
        command.Parameters.Add(new() { Value = refund.IdempotencyKey });
        command.Parameters.Add(new() { Value = refund.RefundId });
        command.Parameters.Add(new() { Value = refund.ChargeKey });
        command.Parameters.Add(new() { Value = refund.Amount });
        command.Parameters.Add(new() { Value = refund.Currency });
        command.Parameters.Add(new() { Value = decision.Approved });
        command.Parameters.Add(new() { Value = (object?)decision.ChargeId ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)decision.DeclineReason ?? DBNull.Value });
        RefundLedgerEntry entry;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            entry = ReadRefund(refund.IdempotencyKey, reader);
        }
        await transaction.CommitAsync(cancellationToken);
        return entry;
    }

    public async Task<RefundLedgerEntry?> FindRefund(string idempotencyKey, CancellationToken cancellationToken)
    {
        await SchemaReady();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return await ReadOne(connection, """
            SELECT refund_id, charge_key, amount, currency, approved, refund_id_at_gateway, decline_reason, requests, at
              FROM fake_gateway_refunds WHERE idempotency_key = $1
            """, idempotencyKey, r => ReadRefund(idempotencyKey, r), cancellationToken);
    }

    static async Task<T?> ReadOne<T>(NpgsqlConnection connection, string sql, string key, Func<NpgsqlDataReader, T> read,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : default;
    }

    static RefundLedgerEntry ReadRefund(string key, NpgsqlDataReader r)
    {
        var refund = new GatewayRefund(key, r.GetGuid(0), r.GetString(1), r.GetInt64(2), r.GetString(3));
        var result = r.GetBoolean(4) ? GatewayResult.Approve(r.GetString(5)) : GatewayResult.Decline(r.GetString(6));
        return new RefundLedgerEntry(refund, result, r.GetFieldValue<DateTimeOffset>(8), r.GetInt32(7));
    }

    static LedgerEntry Read(string key, NpgsqlDataReader r)
    {
        var charge = new GatewayCharge(key, r.GetGuid(0), r.GetInt64(1), r.GetString(2));
        var result = r.GetBoolean(3) ? GatewayResult.Approve(r.GetString(4)) : GatewayResult.Decline(r.GetString(5));
        return new LedgerEntry(charge, result, r.GetFieldValue<DateTimeOffset>(7), r.GetInt32(6));
    }

    static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
