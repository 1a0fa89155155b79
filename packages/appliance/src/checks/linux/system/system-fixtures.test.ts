import { describeRecordedFixtures } from '../system/fixture-cases.testkit';
import { LINUX_SYSTEM_CHECKS } from '.';

describeRecordedFixtures('system', LINUX_SYSTEM_CHECKS);
