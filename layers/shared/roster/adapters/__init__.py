"""Small adapters for AWS services other than DynamoDB (SSM, S3, SES, SQS, EventBridge, Step
Functions), so logic never imports boto3. Each is a class taking its client; `roster.deps` builds
them from the settings, once per cold start."""
