import { SessionInfo } from '@osiris/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { z } from 'zod';
import { ApiError, api, setCsrfToken } from './api';

export type SessionUser = SessionInfo['user'];
type Face = 'admin' | 'partner' | 'practice' | 'auditor';

/** Which face of the app a user sees, from their role. */
export function faceOf(user: SessionUser): Face {
  if (user.role === 'auditor') return 'auditor';
  if (user.partnerId) return 'partner';
  if (user.practiceId) return 'practice';
  return 'admin';
}

interface SessionState {
  user: SessionUser | null;
  isLoading: boolean;
  signedIn(info: SessionInfo): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** The signed-in user (from GET /v1/auth/me, re-validated on every load) for the whole app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        const info = await api(SessionInfo, 'GET', '/v1/auth/me');
        setCsrfToken(info.csrfToken);
        return info;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
  const state: SessionState = {
    user: me.data?.user ?? null,
    isLoading: me.isLoading,
    signedIn(info) {
      setCsrfToken(info.csrfToken);
      client.setQueryData(['session'], info);
    },
    async signOut() {
      await api(z.undefined(), 'POST', '/v1/auth/logout').catch(() => undefined);
      setCsrfToken(null);
      // Keep the session query (its observer stays attached); drop everything else the user saw.
      client.setQueryData(['session'], null);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    },
  };
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
