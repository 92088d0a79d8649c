using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Payments.Persistence.Idempotency;

/// <summary>
/// Claims (user, key) for the current transaction. A transaction-scoped advisory lock on the pair makes the
/// claim atomic: a concurrent duplicate fails to take it and is told the first is still in flight; once the
/// first commits, its stored response is visible to everyone after it. The primary key on
/// <c>idempotency_keys</c> remains the last line of defence.
/// </summary>
static class IdempotencyClaim
{
    public enum Outcome { Claimed, InProgress, Completed }

    public static async Task<(Outcome Outcome, IdempotencyRecord? Existing)> TryClaim(PaymentsDbContext db, Guid userId, string key,
        CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection) { Transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction() };
        // Two statements in one round trip; under READ COMMITTED the second one sees whatever committed before the lock was granted.
        batch.BatchCommands.Add(Command("SELECT pg_try_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0))", userId, key));
        batch.BatchCommands.Add(Command(
            "SELECT request_hash, response_status, response_body, response_location, payment_id, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            userId, key));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var locked = reader.GetBoolean(0);
        await reader.NextResultAsync(cancellationToken);
        if (!locked)
            return (Outcome.InProgress, null);
        if (!await reader.ReadAsync(cancellationToken))
            return (Outcome.Claimed, null);

        return (Outcome.Completed, new IdempotencyRecord
        {
            UserId = userId,
            Key = key,
            RequestHash = (byte[])reader[0],
            ResponseStatus = reader.GetInt32(1),
            ResponseBody = reader.GetString(2),
            ResponseLocation = await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3),
            PaymentId = reader.GetGuid(4),
            CreatedAt = await reader.GetFieldValueAsync<DateTimeOffset>(5, cancellationToken),
        });
    }

    static NpgsqlBatchCommand Command(string sql, Guid userId, string key) =>
        new(sql)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = userId, NpgsqlDbType = NpgsqlDbType.Uuid },
                new NpgsqlParameter { Value = key, NpgsqlDbType = NpgsqlDbType.Text },
            },
        };
}
