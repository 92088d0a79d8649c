using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Payments.Infra.Tests;

/// <summary>The properties of the AWS configuration that matter, checked on the parsed Terraform (no provider needed).</summary>
[Collection(TerraformCollection.Name)]
public class TerraformPolicyTests(TerraformFixture fixture)
{
    const int MaxReceiveCount = 5; // the application's Messaging:AmazonSqs:MaxReceiveCount default

    // What a Lambda in a VPC needs (AWSLambdaVPCAccessExecutionRole); AWS allows no resource scoping for them.
    static readonly HashSet<string> VpcNetworkActions =
    [
        "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    ];
    TerraformModel Model => fixture.Model;

    [Fact]
    public void The_application_default_max_receive_count_is_the_one_terraform_uses() =>
        Assert.Equal(MaxReceiveCount, new Payments.Aws.AwsMessagingOptions().MaxReceiveCount);

    [Fact]
    public void Every_queue_that_is_not_a_dead_letter_queue_redrives_to_a_declared_queue_after_five_receives()
    {
        var queues = Model.OfType("aws_sqs_queue").ToList();
        var deadLetterQueues = DeadLetterQueues();
        var consumed = queues.Where(q => !deadLetterQueues.Contains(q.Name)).ToList();
        Assert.NotEmpty(deadLetterQueues);
        Assert.NotEmpty(consumed);

        foreach (var queue in consumed)
        {
            var redrive = queue.String("redrive_policy");
            Assert.True(redrive is not null, $"{queue.Address} has no redrive_policy (no dead-letter queue)");
            var target = DeadLetterTarget(redrive);
            Assert.True(target is not null, $"{queue.Address}: redrive_policy names no aws_sqs_queue as deadLetterTargetArn: {redrive}");
            var dlq = Model.Resource("aws_sqs_queue", target);
            Assert.True(dlq.String("for_each") == queue.String("for_each"),
                $"{queue.Address} and its dead-letter queue {dlq.Address} must have the same instances (for_each)");

            var count = Regex.Match(redrive, @"maxReceiveCount\s*=\s*([^\s,}]+)");
            Assert.True(count.Success, $"{queue.Address}: redrive_policy has no maxReceiveCount");
            Assert.Equal(MaxReceiveCount, Model.Number(JsonValue.Create("${" + count.Groups[1].Value + "}"), $"{queue.Address} maxReceiveCount"));
        }
    }

    [Fact]
    public void Every_queue_and_topic_is_encrypted()
    {
        foreach (var queue in Model.OfType("aws_sqs_queue"))
            Assert.True(queue.Body["sqs_managed_sse_enabled"]?.GetValue<bool>() == true || !string.IsNullOrEmpty(queue.String("kms_master_key_id")),
                $"{queue.Address} is not encrypted (sqs_managed_sse_enabled = true or kms_master_key_id)");
        // The alarm topic carries no payment data and cannot be under the AWS-managed key (CloudWatch could not publish).
        foreach (var topic in Model.OfType("aws_sns_topic").Where(t => t.Name != "alarms"))
            Assert.False(string.IsNullOrEmpty(topic.String("kms_master_key_id")), $"{topic.Address} has no kms_master_key_id");
    }

    [Fact]
    public void Every_consumed_queue_has_a_visibility_timeout_of_at_least_six_worker_timeouts()
    {
        var workers = Model.OfType("aws_lambda_event_source_mapping")
            .Select(m => TerraformModel.ReferencedName(m.String("function_name"), "aws_lambda_function")
                         ?? throw new InvalidOperationException($"{m.Address}: function_name names no aws_lambda_function"))
            .Distinct()
            .Select(name => Model.Resource("aws_lambda_function", name))
            .ToList();
        Assert.NotEmpty(workers);
        var longestTimeout = workers.Max(w => Model.Number(w.Body["timeout"], $"{w.Address}.timeout"));

        var deadLetterQueues = DeadLetterQueues();
        foreach (var queue in Model.OfType("aws_sqs_queue").Where(q => !deadLetterQueues.Contains(q.Name)))
        {
            var visibility = queue.Body["visibility_timeout_seconds"] is { } v ? Model.Number(v, $"{queue.Address}.visibility_timeout_seconds") : 30;
            Assert.True(visibility >= 6 * longestTimeout,
                $"{queue.Address}: visibility timeout {visibility} s is less than 6 x the worker Lambda timeout ({longestTimeout} s)");
        }
    }

    [Fact]
    public void Every_event_source_mapping_reports_batch_item_failures()
    {
        var mappings = Model.OfType("aws_lambda_event_source_mapping").ToList();
        Assert.NotEmpty(mappings);
        foreach (var mapping in mappings)
        {
            var types = mapping.Body["function_response_types"] as JsonArray;
            Assert.True(types is not null && types.Any(t => t?.GetValue<string>() == "ReportBatchItemFailures"),
                $"{mapping.Address}: function_response_types must contain ReportBatchItemFailures, or a failed record deletes its whole batch");
        }
    }

    [Fact]
    public void No_iam_statement_has_a_wildcard_action_and_only_network_interface_actions_use_any_resource()
    {
        var documents = Model.DataSources.Where(d => d.Type == "aws_iam_policy_document").ToList();
        Assert.NotEmpty(documents);
        foreach (var document in documents)
        {
            var statements = document.Body["statement"] as JsonArray;
            Assert.True(statements is { Count: > 0 }, $"{document.Address} has no statement");
            foreach (var statement in statements.OfType<JsonObject>())
            {
                var where = $"{document.Address} statement {statement["sid"]?.GetValue<string>() ?? "(no sid)"}";
                Assert.True(statement["not_actions"] is null, $"{where}: not_actions allows everything else");
                Assert.True(statement["not_resources"] is null, $"{where}: not_resources");
                Assert.True(statement["actions"] is JsonArray { Count: > 0 }, $"{where}: actions must be a literal list");
                var actions = ((JsonArray)statement["actions"]!).Select(a => a!.GetValue<string>()).ToList();
                foreach (var action in actions)
                {
                    Assert.DoesNotContain("*", action);
                    Assert.Matches("^[a-z0-9-]+:[A-Za-z0-9]+$", action);
                }
                if (statement["resources"] is JsonArray resources && resources.Any(r => r is JsonValue v && v.TryGetValue<string>(out var s) && s == "*"))
                    Assert.True(actions.All(VpcNetworkActions.Contains),
                        $"{where}: Resource \"*\" is allowed only for the VPC network-interface actions, not {string.Join(", ", actions)}");
            }
        }
    }

    [Fact]
    public void Every_policy_comes_from_a_checked_policy_document_and_no_managed_policy_is_attached()
    {
        (string Type, string Attribute)[] policyAttributes =
        [
            ("aws_iam_role", "assume_role_policy"), ("aws_iam_role_policy", "policy"), ("aws_iam_policy", "policy"),
            ("aws_sqs_queue_policy", "policy"), ("aws_sns_topic_policy", "policy"),
        ];
        foreach (var (type, attribute) in policyAttributes)
            foreach (var resource in Model.OfType(type))
            {
                var policy = resource.String(attribute);
                var fromDocument = policy is not null && (
                    Regex.IsMatch(policy, @"^\$\{data\.aws_iam_policy_document\.[A-Za-z0-9_-]+(\[[^\]]+\])?\.json\}$")
                    || policy == "${each.value.json}" && resource.String("for_each") is { } forEach
                    && Regex.IsMatch(forEach, @"^\$\{data\.aws_iam_policy_document\.[A-Za-z0-9_-]+\}$"));
                Assert.True(fromDocument, $"{resource.Address}.{attribute} must be an aws_iam_policy_document's json (so its statements are checked): {policy}");
            }

        Assert.Empty(Model.OfType("aws_iam_role_policy_attachment").Select(r => r.Address));
        Assert.Empty(Model.OfType("aws_iam_policy_attachment").Select(r => r.Address));
        Assert.All(Model.OfType("aws_iam_role"), role => Assert.Null(role.Body["managed_policy_arns"]));
    }

    [Fact]
    public void The_database_is_private_encrypted_and_its_password_lives_in_secrets_manager()
    {
        var databases = Model.OfType("aws_db_instance").ToList();
        Assert.NotEmpty(databases);
        foreach (var db in databases)
        {
            Assert.True(db.Body["publicly_accessible"]?.GetValue<bool>() == false, $"{db.Address}: publicly_accessible must be false");
            Assert.True(db.Body["storage_encrypted"]?.GetValue<bool>() == true, $"{db.Address}: storage_encrypted must be true");
            Assert.True(db.Body["manage_master_user_password"]?.GetValue<bool>() == true, $"{db.Address}: manage_master_user_password must be true");
            Assert.Null(db.Body["password"]);
            Assert.Equal("postgres", db.String("engine"));
        }
    }

    [Fact]
    public void Lambdas_run_from_container_images_in_the_private_subnets()
    {
        var functions = Model.OfType("aws_lambda_function").ToList();
        Assert.Equal(2, functions.Count);
        foreach (var function in functions)
        {
            Assert.Equal("Image", function.String("package_type"));
            Assert.True(function.Body["vpc_config"] is JsonArray { Count: 1 }, $"{function.Address} has no vpc_config");
        }
        Assert.All(Model.OfType("aws_subnet"), subnet => Assert.NotEqual(true, subnet.Body["map_public_ip_on_launch"]?.GetValue<bool>()));
        foreach (var function in functions)
            Assert.Equal("${aws_subnet.private[*].id}", function.Body["vpc_config"]![0]!["subnet_ids"]!.GetValue<string>());
        Assert.Equal("${aws_subnet.private[*].id}", Model.Resource("aws_db_subnet_group", "main").String("subnet_ids"));
    }

    [Fact]
    public void Every_log_group_has_a_retention()
    {
        var groups = Model.OfType("aws_cloudwatch_log_group").ToList();
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.True(g.Body["retention_in_days"] is not null, $"{g.Address} keeps logs forever"));
    }

    [Fact]
    public void Each_exported_database_log_has_its_log_group_created_before_the_instance()
    {
        // RDS writes an export to /aws/rds/instance/<identifier>/<log>, creating the group itself (no retention, and then
        // Terraform's create fails) unless it exists first.
        foreach (var db in Model.OfType("aws_db_instance"))
        {
            var dependsOn = (db.Body["depends_on"] as JsonArray)?.Select(d => d!.GetValue<string>()).ToHashSet() ?? [];
            var exports = (db.Body["enabled_cloudwatch_logs_exports"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList() ?? [];
            foreach (var export in exports)
            {
                var name = $"/aws/rds/instance/{db.String("identifier")}/{export}";
                var group = Model.OfType("aws_cloudwatch_log_group").SingleOrDefault(g => g.String("name") == name);
                Assert.True(group is not null, $"{db.Address} exports '{export}' but no aws_cloudwatch_log_group is named {name}");
                Assert.True(dependsOn.Contains($"${{{group.Address}}}"), $"{db.Address} must depend on {group.Address} (depends_on)");
            }
        }
    }

    [Fact]
    public void Alarms_cover_every_dead_letter_queue_queue_age_and_outbox_lag()
    {
        var alarms = Model.OfType("aws_cloudwatch_metric_alarm").ToList();
        Assert.Contains(alarms, a => a.String("metric_name") == "ApproximateNumberOfMessagesVisible" && a.String("namespace") == "AWS/SQS");
        Assert.Contains(alarms, a => a.String("metric_name") == "ApproximateAgeOfOldestMessage" && a.String("namespace") == "AWS/SQS");
        Assert.Contains(alarms, a => a.String("metric_name") == "OutboxOldestAgeSeconds" && a.String("namespace") == "Payments");

        // Every dead-letter queue resource feeds the depth alarm's for_each.
        var depth = alarms.Single(a => a.String("metric_name") == "ApproximateNumberOfMessagesVisible");
        var forEach = depth.String("for_each")!;
        var feeding = Model.Locals.TryGetValue(forEach.Replace("${local.", "").TrimEnd('}'), out var local) ? local!.ToJsonString() : forEach;
        foreach (var dlq in DeadLetterQueues())
            Assert.Contains($"aws_sqs_queue.{dlq}", feeding);
    }

    HashSet<string> DeadLetterQueues() =>
        Model.OfType("aws_sqs_queue").Select(q => DeadLetterTarget(q.String("redrive_policy"))).OfType<string>().ToHashSet();

    static string? DeadLetterTarget(string? redrivePolicy) =>
        redrivePolicy is null ? null : Regex.Match(redrivePolicy, @"deadLetterTargetArn\s*=\s*aws_sqs_queue\.([A-Za-z0-9_-]+)") is { Success: true } m ? m.Groups[1].Value : null;
}
