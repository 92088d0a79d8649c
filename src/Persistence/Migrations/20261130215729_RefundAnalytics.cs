using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Payments.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RefundAnalytics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "analytics_refund_outcomes",
                columns: table => new
                {
                    refund_id = table.Column<Guid>(type: "uuid", nullable: false),
                    payment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    amount = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_analytics_refund_outcomes", x => x.refund_id);
                    table.CheckConstraint("ck_analytics_refund_outcomes_status", "status IN ('SUCCEEDED', 'FAILED')");
                });

            migrationBuilder.CreateIndex(
                name: "IX_analytics_refund_outcomes_user_id_day",
                table: "analytics_refund_outcomes",
                columns: new[] { "user_id", "day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "analytics_refund_outcomes");
        }
    }
}
