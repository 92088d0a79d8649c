namespace Payments.Persistence;

/// <summary>
/// The database password, fetched when the connection pool needs it (e.g. from a rotating secret) instead of
/// written into the connection string. Given to the persistence registration only where the password lives elsewhere.
/// </summary>
public sealed record DatabasePasswordSource(Func<CancellationToken, ValueTask<string>> GetPassword, TimeSpan RefreshEvery);
