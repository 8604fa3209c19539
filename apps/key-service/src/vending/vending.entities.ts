import { VendingClient } from './clients/vending-client.entity';
import { Issuance } from './issuance/issuance.entity';
import { TidAllocation } from './tid-allocation/tid-allocation.entity';
import { TransportKey } from './transport-keys/transport-key.entity';

/** The vending tables (migration 1732600000000-vending-schema). */
export const VENDING_ENTITIES = [VendingClient, TransportKey, TidAllocation, Issuance];
