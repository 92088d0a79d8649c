using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Payments.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ParkPoisonOutboxRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_enqueue_time_sequence_number",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_ready",
                table: "outbox_messages");

            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "outbox_messages",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "outbox_messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "parked_at",
                table: "outbox_messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_parked",
                table: "outbox_messages",
                column: "sequence_number",
                filter: "parked_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_ready",
                table: "outbox_messages",
                column: "sequence_number",
                filter: "enqueue_time IS NULL AND parked_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_scheduled",
                table: "outbox_messages",
                columns: new[] { "enqueue_time", "sequence_number" },
                filter: "enqueue_time IS NOT NULL AND parked_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_parked",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_ready",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_scheduled",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "last_error",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "parked_at",
                table: "outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_enqueue_time_sequence_number",
                table: "outbox_messages",
                columns: new[] { "enqueue_time", "sequence_number" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_ready",
                table: "outbox_messages",
                column: "sequence_number",
                filter: "enqueue_time IS NULL");
        }
    }
}
