import { describe, expect, it } from 'vitest'
import { splitCsvLine } from './csv.ts'

describe('splitCsvLine', () => {
  it('splits at commas outside quotes and reads doubled quotes as one', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",')).toEqual(['a', 'b,c', 'say "hi"', ''])
  })

  it('keeps fields as written (spaces included) and gives one empty field for an empty line', () => {
    expect(splitCsvLine(' x , y')).toEqual([' x ', ' y'])
    expect(splitCsvLine('')).toEqual([''])
  })
})
