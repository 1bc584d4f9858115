// The app code the benchmark drives, the same modules the tRPC routers call: loaded only once the
// bench's database is up, because the Prisma client reads DATABASE_URL when it is first imported.

export async function loadRoutingApp(databaseUrl: string) {
  process.env.DATABASE_URL = databaseUrl;
  const [{ db }, presence, offers, completion, sweeper, grouped, waitingRoom, desk, wallboard, events, sql, config] = await Promise.all([
    import('@/server/db'),
    import('@/server/routing/presence'),
    import('@/server/routing/offers'),
    import('@/server/routing/task-completion'),
    import('@/server/routing/sweeper'),
    import('@/server/routing/grouped-statement-stats'),
    import('@/server/routing/waiting-room-status'),
    import('@/server/routing/desk-view'),
    import('@/server/routing/wallboard'),
    import('@/server/routing/routing-events'),
    import('@/server/routing/routing-sql'),
    import('@/server/routing/routing-config'),
  ]);
  return {
    db,
    setPresence: presence.setPresence,
    acceptOffer: offers.acceptOffer,
    completeTask: completion.completeTask,
    sweep: sweeper.sweep,
    groupedStatementStats: grouped.groupedStatementStats,
    watchDesk: desk.watchDesk,
    watchWaitingStatus: waitingRoom.watchWaitingStatus,
    waitingStatus: waitingRoom.waitingStatus,
    queueLineReadCount: waitingRoom.queueLineReadCount,
    wallboard: wallboard.wallboard,
    averageHandleSeconds: waitingRoom.averageHandleSeconds,
    routingListener: events.routingListener,
    routingQuery: sql.routingQuery,
    closeRoutingPool: sql.closeRoutingPool,
    FOLLOW_UP_QUEUE_SLUG: config.FOLLOW_UP_QUEUE_SLUG,
  };
}

export type RoutingApp = Awaited<ReturnType<typeof loadRoutingApp>>;
export type Db = RoutingApp['db'];
