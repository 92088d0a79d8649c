using System.Security.Cryptography;

namespace Payments.Sagas;

/// <summary>
/// A payment (or a refund) has exactly one outcome, so its event id is derived from its id: a re-published
/// outcome carries the same id and downstream consumers can drop it.
/// </summary>
public static class OutcomeEventId
{
    public static Guid For(Guid paymentId)
    {
        Span<byte> input = stackalloc byte[24];
        "outcome:"u8.CopyTo(input);
        paymentId.TryWriteBytes(input[8..]);
        var hash = SHA256.HashData(input);
        return new Guid(hash.AsSpan(0, 16));
    }
}
