output "api_endpoint" {
  description = "Base URL of the HTTP API (POST/GET {api_endpoint}/payments)."
  value       = aws_apigatewayv2_api.http.api_endpoint
}

output "api_repository_url" {
  description = "ECR repository for the API image (Dockerfile.api)."
  value       = aws_ecr_repository.api.repository_url
}

output "worker_repository_url" {
  description = "ECR repository for the worker image (Dockerfile.worker)."
  value       = aws_ecr_repository.worker.repository_url
}

output "api_function_name" {
  value = aws_lambda_function.api.function_name
}

output "worker_function_name" {
  value = aws_lambda_function.worker.function_name
}

output "database_address" {
  description = "Private host name of the PostgreSQL instance."
  value       = aws_db_instance.main.address
}

output "database_secret_arn" {
  description = "Secrets Manager secret (JSON: username, password) RDS manages for the master user."
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "event_bus_name" {
  description = "The application's Payments:EventBridge:BusName."
  value       = aws_cloudwatch_event_bus.payments.name
}

output "topic_arn_prefix" {
  description = "The application's Messaging:AmazonSqs:TopicArnPrefix."
  value       = local.common_environment.Messaging__AmazonSqs__TopicArnPrefix
}

output "queue_urls" {
  description = "Worker queues by name."
  value       = { for queue in aws_sqs_queue.worker : queue.name => queue.url }
}

output "dead_letter_queue_urls" {
  description = "Dead-letter queues by name."
  value       = { for queue in aws_sqs_queue.worker_dlq : queue.name => queue.url }
}

output "topic_arns" {
  description = "One SNS topic per published message type."
  value       = { for topic in aws_sns_topic.message : topic.name => topic.arn }
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}

output "lambda_security_group_id" {
  description = "Security group that may reach the database (use it for a one-off migration task in the private subnets)."
  value       = aws_security_group.lambda.id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}
