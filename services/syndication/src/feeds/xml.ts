/** XML text and attribute values: escaped, and well-formed whatever the text holds. */
export { escapeMarkup as xml } from '@newsroom/service-kit';
