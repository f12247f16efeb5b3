/** STS's query-protocol XML: one namespace, a `<Action>Result>` and `ResponseMetadata` per answer. */
const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** A nested record of strings as XML elements, in the given order. */
type XmlTree = { readonly [element: string]: string | XmlTree };

function elements(tree: XmlTree, indent: string): string {
  return Object.entries(tree)
    .map(([name, value]) =>
      typeof value === 'string' ? `${indent}<${name}>${escapeXml(value)}</${name}>\n` : `${indent}<${name}>\n${elements(value, `${indent}  `)}${indent}</${name}>\n`,
    )
    .join('');
}

export function actionResponse(action: string, result: XmlTree, requestId: string): string {
  return `<${action}Response xmlns="${NAMESPACE}">\n  <${action}Result>\n${elements(result, '    ')}  </${action}Result>\n  <ResponseMetadata>\n    <RequestId>${escapeXml(requestId)}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
}

export function errorResponse(error: { type: string; code: string; message: string }, requestId: string): string {
  return `<ErrorResponse xmlns="${NAMESPACE}">\n${elements({ Error: { Type: error.type, Code: error.code, Message: error.message } }, '  ')}  <RequestId>${escapeXml(requestId)}</RequestId>\n</ErrorResponse>\n`;
}

/** STS timestamps: ISO 8601 in UTC to the second, as in `2019-11-09T13:34:41Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
