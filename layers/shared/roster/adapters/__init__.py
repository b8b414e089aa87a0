"""Small adapters for AWS services other than DynamoDB (SSM, S3, ...), so logic never imports boto3."""
