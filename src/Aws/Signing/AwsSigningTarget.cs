using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Payments.Aws.Signing;

/// <summary>Where one AWS client's requests go and what they are signed for and with.</summary>
internal sealed record AwsSigningTarget(string Service, string Region, Uri Url, AWSCredentials Credentials)
{
    public static AwsSigningTarget For(string service, AwsEndpointOptions endpoint) => new(service, endpoint.Region,
        endpoint.ServiceUrl ?? new Uri($"https://{service}.{endpoint.Region}.amazonaws.com/"),
        endpoint.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials());
}
