-- Routing rewrites its rows several times per consult (a task waits, is offered, assigned, completed;
-- a clinician's presence changes three or four times per consult). Every change leaves a dead row
-- version and new entries in the table's indexes, and the routing reads walk the heads of those
-- indexes ("who is available", "who waits first"), so they slow down as dead entries pile up.
-- PostgreSQL's defaults wait for 20 % of a table to be dead; vacuum these tables after a few hundred
-- dead rows (1 % of a large table), without throttling (they are small or only their dead pages are
-- visited).
ALTER TABLE "Task" SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE "Offer" SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE "Appointment" SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE "ClinicianPresence" SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 200, autovacuum_vacuum_cost_delay = 0);
