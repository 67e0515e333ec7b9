import { PhoneOutlined } from '@ant-design/icons';
import { Button, Tooltip } from 'antd';
import type { CSSProperties, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { currentPhone } from './phone-store';

/**
 * A phone number the operator can click to call (click-to-dial). `label`
 * is what is shown (e.g. a masked number); `number` is what is dialled.
 */
export function DialableNumber({ number, label, style, testId = 'click-to-dial' }: { number: string; label?: ReactNode; style?: CSSProperties; testId?: string }) {
  const { t } = useTranslation();
  if (!number) return <>{label ?? null}</>;
  return (
    <Tooltip title={t('history.call')}>
      <Button
        type="link"
        size="small"
        style={{ padding: 0, fontWeight: 600, height: 'auto', ...style }}
        icon={<PhoneOutlined />}
        onClick={() => void currentPhone()?.dial(number)}
        data-testid={testId}
        data-number={number}
      >
        {label ?? number}
      </Button>
    </Tooltip>
  );
}
