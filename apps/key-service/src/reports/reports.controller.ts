import { Readable } from 'node:stream';
import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/paging';
import { KeyInventoryDto } from './dto/key-inventory.dto';
import { inventoryCsv, INVENTORY_COLUMNS } from './key-inventory';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('key-inventory')
  @Roles('auditor', 'security-officer')
  @ApiOperation({
    summary:
      'Key inventory: every vending key with SGC, KRN, type, DKGA, state, KCV, dates, custodians and approvers (paged)',
    description:
      'By supply group, then revisions in the order they were made. Custodians are the people ' +
      'who entered components of the key; approvers those who approved an action on it. Never ' +
      'key bytes.',
  })
  @ApiOkResponse({ type: KeyInventoryDto })
  @ApiErrors(400)
  async inventory(@Query() q: PageQueryDto): Promise<KeyInventoryDto> {
    const page = await this.reports.inventory(q);
    return { items: page.rows.map((r) => ({ ...r, custodians: [...r.custodians], approvers: [...r.approvers] })), next: page.next };
  }

  @Get('key-inventory.csv')
  @Roles('auditor', 'security-officer')
  @ApiOperation({
    summary: 'The whole key inventory as CSV (one line per key, the columns of the JSON report)',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: `CSV with a header line: ${INVENTORY_COLUMNS.join(',')}`,
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiErrors()
  inventoryCsv(): StreamableFile {
    const reports = this.reports;
    async function* lines(): AsyncGenerator<string> {
      let first = true;
      for await (const rows of reports.wholeInventory()) {
        const text = inventoryCsv(rows);
        // The header once, at the start.
        yield first ? text : text.slice(text.indexOf('\r\n') + 2);
        first = false;
      }
    }
    return new StreamableFile(Readable.from(lines()), {
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="key-inventory.csv"',
    });
  }
}
