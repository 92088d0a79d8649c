using Microsoft.EntityFrameworkCore;
using Payments.Sagas;

namespace Payments.Persistence.Sagas;

static class PaymentSagaLocks
{
    public static Task<PaymentState?> LoadForUpdate(PaymentsDbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        db.PaymentSagas
            .FromSql($"SELECT * FROM payment_sagas WHERE correlation_id = {correlationId} FOR UPDATE")
            .AsTracking()
            .SingleOrDefaultAsync(cancellationToken);
}
