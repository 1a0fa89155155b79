import { describeRecordedFixtures } from '../system/fixture-cases.testkit';
import { LINUX_ACCOUNTS_CHECKS } from '.';

describeRecordedFixtures('accounts', LINUX_ACCOUNTS_CHECKS);
