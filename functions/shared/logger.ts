import { Logger } from '@aws-lambda-powertools/logger';

/** The one Powertools logger; service name and level come from POWERTOOLS_* variables set by the construct. */
export const logger = new Logger();
