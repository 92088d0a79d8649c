using Amazon.Runtime;

namespace Payments.Aws.Signing;

/// <summary>Where a hand-written AWS client sends its requests, which region it signs for, and with which credentials.</summary>
public sealed class AwsEndpointOptions
{
    public required string Region { get; init; }

    /// <summary>Endpoint override (e.g. an emulator on http://127.0.0.1:port); null means the public AWS endpoint.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Null resolves them the SDK's default way (environment, profile, container, instance).</summary>
    public AWSCredentials? Credentials { get; init; }
}
