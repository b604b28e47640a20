/** The flash-sale event producer's public API (see produce.ts and generate-events.ts). */
export { produce, writeSummary, DEFAULT_EVENTS, DEFAULT_FILE_EVENTS, ROLL_INTERVAL_MS } from './produce.js';
export type { ProduceOptions, ProduceSummary, FlashSaleSummary } from './produce.js';
export { generateEvents, flashSalesFor, normalizeDirt, DEFAULT_SEED, DEFAULT_START, DEFAULT_SPAN_MS, INVALID_REASONS, NO_DIRT } from './generate-events.js';
export type { GenerateOptions, GeneratedLine, LineKind, DirtRatios, InvalidReason } from './generate-events.js';
export { classifyLine, recountLines, readEventLines, LATE_THRESHOLD_MS } from './classify.js';
export type { LineClass, ClassifiedKind, ClassifyInvalidReason, Recount } from './classify.js';
export { readCatalog, parseCatalog, defaultCatalogPath, findProjectRoot, CATALOG_COLUMNS } from './catalog.js';
export type { Product } from './catalog.js';
export { EVENT_COLUMNS, EVENT_TYPES, REQUIRED_FIELDS, CSV_HEADER, toNdjson, toCsv } from './event.js';
export type { EventType, EventFormat, FlashSaleEvent, EventFields } from './event.js';
export { planFlashSales } from './flash-sales.js';
export type { FlashSale } from './flash-sales.js';
export { Prng } from './prng.js';
export { runProduceCli, parseProduceArgs } from './produce-cli.js';
