using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Payments.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OutboxDeliveryIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_ready",
                table: "outbox_messages",
                column: "sequence_number",
                filter: "enqueue_time IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_scheduled_correlation_id",
                table: "outbox_messages",
                column: "correlation_id",
                filter: "enqueue_time IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_ready",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_scheduled_correlation_id",
                table: "outbox_messages");
        }
    }
}
