import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from './db';

describe('db (Prisma client over DATABASE_URL)', () => {
  afterAll(async () => {
    await db.$disconnect();
  });

  it('creates, reads and deletes a clinic', async () => {
    const slug = `db-int-test-${randomUUID()}`;
    const created = await db.clinic.create({
      data: { slug, name: 'Integration Test Clinic', timeZone: 'Asia/Shanghai' },
    });
    try {
      expect(created.id).toBeTruthy();
      expect(created.defaultLocale).toBe('zh_CN');
      expect(created.createdAt).toBeInstanceOf(Date);

      const found = await db.clinic.findUnique({ where: { slug } });
      expect(found).toEqual(created);

      const inTx = await db.$transaction(async (tx) => tx.clinic.count({ where: { slug } }));
      expect(inTx).toBe(1);
    } finally {
      await db.clinic.delete({ where: { id: created.id } });
    }
    expect(await db.clinic.findUnique({ where: { slug } })).toBeNull();
  });
});
