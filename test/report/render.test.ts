import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render.js';
import { SARIF_SCHEMA } from '../../src/report/sarif.js';
import { sampleReport } from './fixtures.js';

describe('SARIF 2.1.0', () => {
  const sarif = JSON.parse(renderReport(sampleReport(), 'sarif'));

  it('has the required top-level shape and a rule for every result', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('antidote');
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    for (const rule of run.tool.driver.rules) {
      expect(typeof rule.shortDescription.text).toBe('string');
      expect(['error', 'warning', 'note', 'none']).toContain(rule.defaultConfiguration.level);
    }
    expect(run.results).toHaveLength(3);
    for (const result of run.results) {
      expect(typeof result.message.text).toBe('string');
      expect(['error', 'warning', 'note', 'none']).toContain(result.level);
      expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);
      for (const location of result.locations ?? []) {
        expect(typeof location.physicalLocation.artifactLocation.uri).toBe('string');
        if (location.physicalLocation.region)
          expect(location.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      }
    }
    expect(run.artifacts[0]).toEqual({
      location: { uri: 'data/x.csv' },
      hashes: { 'sha-256': 'ab'.repeat(32) },
      roles: ['analysisTarget'],
    });
  });

  it('maps severity to level and points a sample at its line', () => {
    const [critical, medium, info] = sarif.runs[0].results;
    expect([critical.level, medium.level, info.level]).toEqual(['error', 'warning', 'note']);
    expect(critical.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: 'data/x.csv' },
      region: { startLine: 6 },
    });
    expect(medium.locations[0].physicalLocation.region).toBeUndefined();
    // A target without a uri points at the data file.
    expect(info.locations[0].physicalLocation.artifactLocation.uri).toBe('data/x.csv');
  });
});

describe('HTML', () => {
  const html = renderReport(sampleReport(), 'html');

  it('is self-contained: no scripts, no external assets, a CSP that forbids them', () => {
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
  });

  it('escapes every user-supplied text', () => {
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('eve&#60;');
    expect(html).toContain('a&#38;b');
  });

  it('draws the plots and the thumbnails inline', () => {
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo');
    expect(html).toContain('FAIL');
  });
});

describe('Markdown and text', () => {
  it('Markdown escapes table-breaking characters and lists findings', () => {
    const md = renderReport(sampleReport(), 'md');
    expect(md).toContain('**Verdict: FAIL**');
    expect(md).toContain('\\<script\\>');
    expect(md).toContain('\\| pipe');
    expect(md).toContain('sample 4 (line 6)');
    expect(md).toContain('## Suspicious sources');
  });

  it('text gives the verdict, counts and top findings', () => {
    const text = renderReport(sampleReport(), 'text');
    expect(text).toContain('verdict: FAIL');
    expect(text).toContain('findings: 3 (1 critical, 1 medium, 1 info)');
    expect(text).toContain('[critical] backdoor/activation-clustering sample 4 (line 6)');
  });

  it('JSON round-trips', () => {
    expect(JSON.parse(renderReport(sampleReport(), 'json'))).toEqual(sampleReport());
  });
});
