using System.Text;
using Microsoft.EntityFrameworkCore;
using Payments.Persistence.Analytics;
using Payments.Persistence.Idempotency;
using Payments.Persistence.Inbox;
using Payments.Persistence.Outbox;
using Payments.Persistence.Payments;
using Payments.Persistence.Refunds;
using Payments.Persistence.Webhooks;
using Payments.Sagas;
using Payments.Outbox;

namespace Payments.Persistence;

public class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<PaymentEvent> PaymentEvents => Set<PaymentEvent>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxState> InboxStates => Set<InboxState>();
    public DbSet<PaymentState> PaymentSagas => Set<PaymentState>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<PaymentOutcome> PaymentOutcomes => Set<PaymentOutcome>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<RefundOutcome> RefundOutcomes => Set<RefundOutcome>();
    public DbSet<RefundState> RefundSagas => Set<RefundState>();

    // Every write runs in a transaction that is retried as a whole when it fails, never continued after a failed
    // SaveChanges, so EF's automatic savepoints would only add two round trips to each save. Set per call because a
    // pooled context gets the default back when it returns to the pool.
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Database.AutoSavepointsEnabled = false;
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    readonly List<OutboxMessage> _outboxRowsAdded = [];

    /// <summary>Adds an outbox row; once its transaction committed, <see cref="OutboxCommitHook"/> hands it to delivery.</summary>
    public void AddOutboxMessage(OutboxMessage message)
    {
        lock (_outboxRowsAdded)
        {
            OutboxMessages.Add(message);
            _outboxRowsAdded.Add(message);
        }
    }

    /// <summary>Rows saved within the current transaction, for <see cref="OutboxCommitHook"/> to hand over when it commits.</summary>
    internal List<OutboxMessage> OutboxRowsAwaitingCommit { get; } = [];

    /// <summary>The rows added since the last call that a save has written (they have their sequence numbers now).</summary>
    internal List<OutboxMessage> OutboxRowsSaved()
    {
        lock (_outboxRowsAdded)
        {
            if (_outboxRowsAdded.Count == 0)
                return [];
            var saved = _outboxRowsAdded.Where(r => r.SequenceNumber != 0).ToList();
            // Saved ones leave; so do rows a unit of work added and dropped unsaved (a pooled context forgets its entities).
            _outboxRowsAdded.RemoveAll(r => r.SequenceNumber != 0 || Entry(r).State == EntityState.Detached);
            return saved;
        }
    }

    /// <summary>After a failed save: no row of this unit of work is handed over.</summary>
    internal void ForgetOutboxRows()
    {
        lock (_outboxRowsAdded)
            _outboxRowsAdded.Clear();
        OutboxRowsAwaitingCommit.Clear();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>(e =>
        {
            e.ToTable("payments", t =>
            {
                t.HasCheckConstraint("ck_payments_amount_positive", "amount > 0");
                t.HasCheckConstraint("ck_payments_status", "status IN ('PENDING', 'SUCCESS', 'FAILED')");
                // Never more given back than was charged, whatever runs concurrently: the last line of the refund reservation.
                t.HasCheckConstraint("ck_payments_refunds_within_amount",
                    "amount_refunded >= 0 AND amount_refunded <= refund_reserved AND refund_reserved <= amount");
            });
            e.HasKey(x => x.Id);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Description).HasMaxLength(255);
            e.Property(x => x.Status).HasMaxLength(16);
            e.Property(x => x.Metadata).HasColumnType("jsonb");
            // Serves "my payments, newest first" with keyset pagination, optionally by status.
            e.HasIndex(x => new { x.UserId, x.CreatedAt, x.Id }).IsDescending(false, true, true);
            // Only the unfinished payments: admission control counts them (PaymentsInProgress).
            e.HasIndex(x => x.Id, "IX_payments_pending").HasFilter("status = 'PENDING'");
        });

        modelBuilder.Entity<PaymentEvent>(e =>
        {
            e.ToTable("payment_events");
            // One index for both: unique rows and "a payment's history after this id", oldest first.
            e.HasKey(x => new { x.PaymentId, x.Id });
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.Type).HasMaxLength(64);
        });

        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(x => new { x.UserId, x.Key });
            e.Property(x => x.Key).HasMaxLength(255);
            e.HasIndex(x => x.CreatedAt);
        });

        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(x => x.SequenceNumber);
            e.Property(x => x.SequenceNumber).UseIdentityAlwaysColumn();
            e.Property(x => x.ContentType).HasMaxLength(256);
            // Delivery claims rows to send now in sequence order, and scheduled rows by due time; parked rows are in
            // neither index, so no claim steps over them. The operator's listing and the gauge read parked rows by their own.
            e.HasIndex(x => x.SequenceNumber).HasFilter("enqueue_time IS NULL AND parked_at IS NULL").HasDatabaseName("IX_outbox_messages_ready");
            e.HasIndex(x => new { x.EnqueueTime, x.SequenceNumber }, "IX_outbox_messages_scheduled")
                .HasFilter("enqueue_time IS NOT NULL AND parked_at IS NULL");
            e.HasIndex(x => x.SequenceNumber, "IX_outbox_messages_parked").HasFilter("parked_at IS NOT NULL");
            // A finished payment drops its scheduled messages.
            e.HasIndex(x => x.CorrelationId).HasFilter("enqueue_time IS NOT NULL").HasDatabaseName("IX_outbox_messages_scheduled_correlation_id");
        });

        modelBuilder.Entity<InboxState>(e =>
        {
            e.ToTable("inbox_states");
            e.HasKey(x => new { x.MessageId, x.ConsumerId });
            e.HasIndex(x => x.Delivered);
        });

        modelBuilder.Entity<PaymentState>(e =>
        {
            e.ToTable("payment_sagas");
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.CorrelationId).ValueGeneratedNever();
            e.Property(x => x.CurrentState).HasMaxLength(64);
            e.Property(x => x.Currency).HasMaxLength(3);
            // Written to payment_events by the saga repository, with the state.
            e.Ignore(x => x.NewHistory);
        });

        modelBuilder.Entity<WebhookEndpoint>(e =>
        {
            e.ToTable("webhook_endpoints");
            e.HasKey(x => x.Id);
            e.Property(x => x.Url).HasMaxLength(2048);
            e.Property(x => x.Description).HasMaxLength(255);
            e.Property(x => x.DisabledReason).HasMaxLength(512);
            e.Property(x => x.Secret).HasMaxLength(128);
            e.Property(x => x.PreviousSecret).HasMaxLength(128);
            // "My endpoints, newest first" and the fan-out's "this user's enabled endpoints".
            e.HasIndex(x => new { x.UserId, x.CreatedAt, x.Id }).IsDescending(false, true, true);
        });

        modelBuilder.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries", t => t.HasCheckConstraint("ck_webhook_deliveries_status",
                "status IN ('pending', 'succeeded', 'failed')"));
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.EventType).HasMaxLength(64);
            e.Property(x => x.Status).HasMaxLength(16);
            e.Property(x => x.LastError).HasMaxLength(512);
            e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
            // One delivery per (endpoint, event); also the endpoint's delivery log, newest first.
            e.HasIndex(x => new { x.EndpointId, x.EventId }).IsUnique();
            e.HasIndex(x => new { x.EndpointId, x.CreatedAt, x.Id }).IsDescending(false, true, true);
            // The sender claims due pending rows only.
            e.HasIndex(x => x.NextAttemptAt).HasFilter("status = 'pending'").HasDatabaseName("IX_webhook_deliveries_due");
        });

        modelBuilder.Entity<PaymentOutcome>(e =>
        {
            e.ToTable("analytics_payment_outcomes", t => t.HasCheckConstraint("ck_analytics_payment_outcomes_status",
                "status IN ('SUCCESS', 'FAILED')"));
            // One row per payment: what makes an outcome count once, whichever way it arrives.
            e.HasKey(x => x.PaymentId);
            e.Property(x => x.PaymentId).ValueGeneratedNever();
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Status).HasMaxLength(16);
            // "My figures for these days".
            e.HasIndex(x => new { x.UserId, x.Day });
        });

        modelBuilder.Entity<RefundOutcome>(e =>
        {
            e.ToTable("analytics_refund_outcomes", t => t.HasCheckConstraint("ck_analytics_refund_outcomes_status",
                "status IN ('SUCCEEDED', 'FAILED')"));
            // One row per refund: what makes an outcome count once, whichever way it arrives.
            e.HasKey(x => x.RefundId);
            e.Property(x => x.RefundId).ValueGeneratedNever();
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Status).HasMaxLength(16);
            e.HasIndex(x => new { x.UserId, x.Day });
        });

        modelBuilder.Entity<Refund>(e =>
        {
            e.ToTable("refunds", t =>
            {
                t.HasCheckConstraint("ck_refunds_amount_positive", "amount > 0");
                t.HasCheckConstraint("ck_refunds_status", "status IN ('PENDING', 'SUCCEEDED', 'FAILED')");
            });
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Reason).HasMaxLength(255);
            e.Property(x => x.Status).HasMaxLength(16);
            e.Property(x => x.FailureReason).HasMaxLength(512);
            e.Property(x => x.GatewayRefundId).HasMaxLength(64);
            e.HasOne<Payment>().WithMany().HasForeignKey(x => x.PaymentId).OnDelete(DeleteBehavior.Restrict);
            // "This payment's refunds, oldest first", with keyset pagination.
            e.HasIndex(x => new { x.PaymentId, x.CreatedAt, x.Id });
        });

        modelBuilder.Entity<RefundState>(e =>
        {
            e.ToTable("refund_sagas");
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.CorrelationId).ValueGeneratedNever();
            e.Property(x => x.CurrentState).HasMaxLength(64);
            e.Property(x => x.Currency).HasMaxLength(3);
        });

        UseSnakeCaseColumns(modelBuilder);
    }

    static void UseSnakeCaseColumns(ModelBuilder model)
    {
        foreach (var entity in model.Model.GetEntityTypes())
        foreach (var property in entity.GetProperties())
            property.SetColumnName(SnakeCase(property.Name));
    }

    static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
