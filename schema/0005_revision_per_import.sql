-- Adding units bumps the memory's revision once per import transaction instead of once per
-- unit: the per-row trigger ran an UPDATE of the memory row (and opened a statement journal)
-- for every inserted unit, a fifth of an import's write time. `ImportSession` (src/store/units.rs),
-- the only code that inserts into `unit`, now changes the revision in the same transaction as
-- its first insert, so a saved index still never outlives a change. Updates and deletes keep
-- their triggers.
DROP TRIGGER unit_insert_revision;
