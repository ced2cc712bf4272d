/**
 * What one local service needs from another, as narrow ports. EventBridge and Scheduler deliver to targets
 * through these, so neither depends on how Lambda, Step Functions or SQS are built; the local cloud wires
 * the real services in. A port that throws is a failed delivery (retried per the target's RetryPolicy).
 */
export interface LocalAccount {
  readonly region: string;
  readonly accountId: string;
}

export interface EventEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: string[];
  readonly Time?: Date | string;
  readonly EventBusName?: string;
  readonly TraceHeader?: string;
}

export interface TargetPorts {
  /** Lambda Invoke with InvocationType=Event. Resolves once the invocation is queued. */
  invokeLambdaAsync(functionArn: string, payload: string): Promise<void>;
  /** Step Functions StartExecution; resolves with the execution ARN. */
  startExecution(stateMachineArn: string, input: string, name?: string): Promise<string>;
  /** SQS SendMessage to the queue with this ARN. */
  sendToQueue(
    queueArn: string,
    body: string,
    messageAttributes?: Record<string, { DataType: string; StringValue?: string }>,
  ): Promise<void>;
  /** EventBridge PutEvents; resolves with the number of entries that failed. */
  putEvents(entries: readonly EventEntry[]): Promise<{ failedEntryCount: number }>;
  /** SNS Publish to the topic with this ARN. */
  publishToTopic(topicArn: string, message: string): Promise<void>;
  /** Firehose PutRecord to the delivery stream with this ARN. */
  putFirehoseRecord(deliveryStreamArn: string, data: string): Promise<void>;
}
