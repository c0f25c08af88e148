// The data layer's public surface: file -> parse -> schema -> encode -> EncodedDataset (see types.ts).
export * from './types';
export { DataError, isDataError, type DataErrorCode, type DataErrorInit } from './errors';
export { parseCsv, detectDelimiter, formatBytes, DEFAULT_MAX_BYTES, DELIMITERS, type ParseOptions, type ParseProgress, type ParsedFile, type ByteSource } from './parse';
export { tableFromRows, TableBuilder, type ParsedTable, type ParsedColumn } from './table';
export { validateSchema, withRole, rolesOf, COLUMN_ROLES, type ColumnRole, type SchemaColumn, type DatasetSchema } from './schema';
export { inferSchema, labelCandidates, type SchemaInference } from './infer';
export { type ColumnProfile, type FunnelLink } from './roles';
export { findLeaks, guardSchema, leakWarnings, warningsFor, LEAK_AUC, type LeakWarning } from './leakage';
export { encode, encodeWithVocabulary, encodeOptionsFrom, DEFAULT_ENCODE_OPTIONS, type EncodeOptions } from './encode';
export { withHeldOut } from './heldout';
export { summarize, type DatasetSummary } from './summary';
export { loadDataset, loadCsvFile, type LoadOptions, type LoadedDataset } from './load';
export { generateShop, shopRows, shopTable, shopSchema, shopToCsv, shopEncodeOptions, csvLine, DEFAULT_SHOP, SHOP_COLUMNS, type ShopOptions } from './synthetic';
export { PAD_ID, OOV_ID } from './vocab';
