using Npgsql;
using Payments.Processing.Gateway;

namespace Payments.Persistence.FakeGateway;

/// <summary>
/// The fake gateway's ledger in a Postgres database of its own, one row per idempotency key: it survives
/// worker crashes, so a test that kills workers can still prove that no key was ever charged twice.
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
