import { useState } from 'react';
import { Async, Empty, Select } from '../../ui/kit';
import { useAppliances, useSites } from './shared/data';
import { EvidenceBrowser } from './shared/Evidence';

function ApplianceEvidence({ siteId }: { siteId: string }) {
  const appliances = useAppliances(siteId);
  const [chosen, setChosen] = useState('');
  return (
    <Async query={appliances} what="the appliances">
      {(data) => {
        if (data.items.length === 0) return <Empty>This site has no appliance yet, so no evidence.</Empty>;
        const appliance = data.items.find((a) => a.id === chosen) ?? data.items[0];
        if (!appliance) return null;
        return (
          <>
            <Select
              label="Appliance"
              value={appliance.id}
              onChange={setChosen}
              testId="appliance-picker"
              options={data.items.map((a) => ({ value: a.id, label: `${a.hostname} (${a.status})` }))}
            />
            <EvidenceBrowser key={appliance.id} applianceId={appliance.id} publicKey={appliance.publicKey} />
          </>
        );
      }}
    </Async>
  );
}

export function EvidencePage() {
  const sites = useSites();
  const [chosen, setChosen] = useState('');
  return (
    <>
      <h1>Evidence</h1>
      <Async query={sites} what="your sites">
        {(data) => {
          const site = data.items.find((s) => s.id === chosen) ?? data.items[0];
          if (!site) return <Empty>There are no sites yet.</Empty>;
          return (
            <>
              <Select
                label="Site"
                value={site.id}
                onChange={setChosen}
                testId="site-picker"
                options={data.items.map((s) => ({ value: s.id, label: s.name }))}
              />
              <ApplianceEvidence key={site.id} siteId={site.id} />
            </>
          );
        }}
      </Async>
    </>
  );
}
