using Payments.Aws.SecretsManager;
using Payments.Persistence;

namespace Payments.Api;

static class DatabasePassword
{
    /// <summary>The password from the secret the configuration names (on AWS), or null when the connection string has it.</summary>
    public static DatabasePasswordSource? FromSecret(IConfiguration configuration) =>
        DatabaseSecretRegistration.FromConfiguration(configuration) is { } secret
            ? new DatabasePasswordSource(secret.GetPassword, secret.RefreshEvery)
            : null;
}
