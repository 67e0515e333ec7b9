import { Alert, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { ConsolePage } from './console/ConsolePage';
import { LoginPage } from './LoginPage';
import { useConsole } from './store';

export function App() {
  const { t } = useTranslation();
  const { user, booting, hostUp } = useConsole();
  return (
    <>
      {!hostUp && <Alert type="error" banner showIcon message={t('errors.hostDisconnected')} data-testid="host-down" />}
      {booting ? <Spin size="large" style={{ display: 'block', marginTop: '30vh' }} /> : user ? <ConsolePage user={user} /> : <LoginPage />}
    </>
  );
}
