import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import { ApiError, api } from '../../api';
import { validate } from '../../ui/forms';
import { messageOf, useToast } from '../../ui/kit';

/**
 * The one create flow of the admin list pages: validate with the server's request schema, POST,
 * toast the new item's name, refresh the admin queries and close; field and form errors from the
 * client check or from the server's answer.
 */
export function useCreateForm<Req extends z.ZodType, Item extends z.ZodType<{ name: string }>>(spec: {
  request: Req;
  item: Item;
  path: string;
  noun: string;
  onDone: () => void;
}) {
  const client = useQueryClient();
  const toast = useToast();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: z.infer<Req>) => api(spec.item, 'POST', spec.path, body),
    onSuccess: async (created) => {
      toast(`${spec.noun} ${created.name} created`);
      await client.invalidateQueries({ queryKey: ['admin'] });
      spec.onDone();
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(error.fieldErrors());
      setFormError(messageOf(error));
    },
  });
  return {
    errors,
    formError,
    isPending: create.isPending,
    /** Validates `value` and sends it when it holds. */
    submit(value: unknown) {
      setFormError(null);
      const checked = validate(spec.request, value);
      if (!checked.ok) return setErrors(checked.errors);
      setErrors({});
      create.mutate(checked.data);
    },
  };
}
