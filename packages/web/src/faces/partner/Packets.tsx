import { useSearchParams } from 'react-router';
import { Async, Empty, Select } from '../../ui/kit';
import { PacketsPanel } from '../../ui/PacketsPanel';
import { usePractices } from './Dashboard';

/** Monthly packets of one of the partner's practices (picked, and kept in the address). */
export function PacketsPage() {
  const practices = usePractices();
  const [params, setParams] = useSearchParams();
  return (
    <>
      <h1>Packets</h1>
      <Async query={practices} what="your practices">
        {(data) => {
          const practice = data.items.find((p) => p.id === params.get('practice')) ?? data.items[0];
          if (!practice) return <Empty>There are no practices yet.</Empty>;
          return (
            <>
              <Select
                label="Practice"
                value={practice.id}
                onChange={(id) => setParams({ practice: id }, { replace: true })}
                testId="practice-picker"
                options={data.items.map((p) => ({ value: p.id, label: p.name }))}
              />
              <PacketsPanel key={practice.id} practiceId={practice.id} canMake />
            </>
          );
        }}
      </Async>
    </>
  );
}
