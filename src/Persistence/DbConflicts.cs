using Npgsql;

namespace Payments.Persistence;

/// <summary>Postgres errors that a retry of the same unit of work resolves: lock conflicts, a lost insert race, an unreachable server.</summary>
public static class DbConflicts
{
    public const string SerializationFailure = "40001";
    public const string DeadlockDetected = "40P01";
    public const string UniqueViolation = "23505";

    public static bool IsRetryable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg)
                return pg.SqlState is SerializationFailure or DeadlockDetected or UniqueViolation || pg.IsTransient;

            // Npgsql's EF provider reports some serialization failures only as a "transient failure" (efcore.pg#3084).
            if (e is NpgsqlException { IsTransient: true })
                return true;
        }
        return false;
    }

    public static bool IsUniqueViolation(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is PostgresException { SqlState: UniqueViolation })
                return true;
        return false;
    }
}
