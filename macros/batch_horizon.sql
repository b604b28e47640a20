(select coalesce(max(batch_id), 0) from {{ref "ingestion_batches"}})
