/** The API benchmarks' caller: an operator whose own session (second factor proved now) made a token. */
import { type Actor, createToken, createUser, localActor, rolePermissions } from '../src/auth/index.ts';
import type { Roost } from '../src/main.ts';

export async function operatorToken(roost: Roost) {
  const deps = {
    store: roost.store,
    vault: roost.vault,
    clock: roost.clock,
    audit: roost.audit,
    logger: roost.logger,
    settings: roost.config.auth,
  };
  const user = await createUser(deps, localActor(roost.clock), {
    email: 'bench@example.com',
    name: 'bench',
    role: 'operator',
    password: 'correct horse battery staple 42',
  });
  const owner: Actor = {
    kind: 'user',
    id: user.id,
    label: user.email,
    role: 'operator',
    permissions: new Set(rolePermissions.operator),
    secondFactorAt: roost.clock.now().getTime(),
    ip: '127.0.0.1',
  };
  const { token } = await createToken(deps, owner, { name: 'bench', scopes: [...owner.permissions] });
  return { deps, token };
}
