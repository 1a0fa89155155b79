import { describeRecordedFixtures } from '../system/fixture-cases.testkit';
import { LINUX_FILES_CHECKS } from '.';

describeRecordedFixtures('files', LINUX_FILES_CHECKS);
