import { ConfigError, endpoint as makeEndpoint, type Endpoint } from '@openova/dns-core';
import { parseWebhookConfig } from '../../src/cli/config.js';

/** An A endpoint with one address. */
export function endpoint(dnsName: string, address: string): Endpoint {
  return makeEndpoint({ dnsName, recordType: 'A', targets: [address] });
}

/** The lines of the configuration error for these variables (empty when valid). */
export function parseWebhookConfigErrors(env: Record<string, string>): string[] {
  try {
    parseWebhookConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split('\n').slice(1);
  }
}
