# Alarms go to one SNS topic (optionally e-mailed): anything in a dead-letter queue, a queue whose oldest
# message is too old, and outbox lag (rows committed but not yet delivered to SNS/SQS).

# Not encrypted on purpose: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and the topic
# carries alarm state changes only, no payment data. (A customer-managed key with a key policy for
# cloudwatch.amazonaws.com would be the alternative.)
resource "aws_sns_topic" "alarms" {
  name = "${local.name}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  dead_letter_queue_names = { for key, queue in aws_sqs_queue.worker_dlq : "worker-${key}" => queue.name }

  # Only a queue something consumes gets an age alarm: on a queue nobody reads, the oldest message only gets older, so the
  # alarm would go to ALARM with the first message and stay there. A consumer is an event source mapping in this stack.
  # tests/Infra.Tests/QueueAlarmTests.cs checks that every alarmed queue is one of these, and every such queue alarmed.
  consumed_queue_names = { for key, mapping in aws_lambda_event_source_mapping.worker : "worker-${key}" => aws_sqs_queue.worker[key].name }
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each = local.dead_letter_queue_names

  alarm_name          = "${each.value}-not-empty"
  alarm_description   = "Messages in dead-letter queue ${each.value}: inspect with `dlq show`, fix, then `dlq replay` (README.md)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = local.consumed_queue_names

  alarm_name          = "${each.value}-oldest-message-age"
  alarm_description   = "The oldest message in ${each.value} is older than ${var.queue_age_alarm_seconds} s: its consumer is failing or too slow."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.queue_age_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# The worker's scheduled sweep (every minute) writes this metric to its log in the Embedded Metric Format:
# namespace Payments, metric OutboxOldestAgeSeconds (how long the oldest due outbox row has waited, measured before
# the sweep delivers it; 0 when none), no dimensions.
resource "aws_cloudwatch_metric_alarm" "outbox_lag" {
  alarm_name          = "${local.name}-outbox-lag"
  alarm_description   = "The oldest undelivered outbox row is older than ${var.outbox_lag_alarm_seconds} s: outbox delivery is stuck or SNS/SQS is failing."
  namespace           = "Payments"
  metric_name         = "OutboxOldestAgeSeconds"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.outbox_lag_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
